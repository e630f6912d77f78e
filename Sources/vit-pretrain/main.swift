import ViTCommands
import ViTStages
import ViTDistributed

ProcessSetup.configure()
MPILaunch.start()  // only under mpirun: data-parallel over its ranks
PretrainCommand.main()
MPILaunch.finish()
