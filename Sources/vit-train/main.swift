import ViTCommands

ProcessSetup.preparePassiveOpenMP()
TrainCommand.main()
